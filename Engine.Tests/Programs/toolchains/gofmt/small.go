package main
import ("fmt"
"strings"
 "os")
type   Point struct{X,Y int
Name string `json:"name"`}
func (p *Point)Scale(k int)*Point{ return &Point{p.X*k,p.Y*k,p.Name} }
func main(){
m:=map[string]int{"a":1,"bb":22,"ccc":333}
for k,v:=range m{ fmt.Println(k,v)}
if len(os.Args)>1{fmt.Println(strings.ToUpper(os.Args[1]))}else{
fmt.Println("none")}
switch x:=3;x{case 1,2:fmt.Println("small")
default:fmt.Println("big")}
var xs=[]int{3,1,2}
_=xs
go func(){ }()
}
